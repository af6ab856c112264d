// Every CLI command registers itself here. One module per command (or small family of commands).
import type { Command } from 'commander';
import * as classifyCmd from './classify';
import * as demoCmd from './demo';
import * as evalCmd from './eval';
import * as trainCmd from './train';
import * as exportCmd from './export';
import * as feedbackCmd from './feedback';
import * as statsCmd from './stats';
import * as routeCmd from './route';
import * as budgetCmd from './budget';
import * as retrainCmd from './retrain';
import * as calibrateCmd from './calibrate';
import * as serveCmd from './serve';
import * as judgeCmd from './judge';
import * as workflowCmd from './workflow';
import * as experimentCmd from './experiment';
import * as alertsCmd from './alerts';
import * as projectsCmd from './projects';

export type Register = (program: Command) => void;

export const commands: Register[] = [
  classifyCmd.register,
  demoCmd.register,
  evalCmd.register,
  trainCmd.register,
  statsCmd.register,
  feedbackCmd.register,
  exportCmd.register,
  routeCmd.register,
  budgetCmd.register,
  retrainCmd.register,
  calibrateCmd.register,
  serveCmd.register,
  judgeCmd.register,
  workflowCmd.register,
  experimentCmd.register,
  alertsCmd.register,
  projectsCmd.register,
];
