// Every CLI command registers itself here. One module per command (or small family of commands).
import type { Command } from 'commander';
import * as classifyCmd from './classify';
import * as evalCmd from './eval';
import * as trainCmd from './train';
import * as exportCmd from './export';
import * as feedbackCmd from './feedback';
import * as statsCmd from './stats';

export type Register = (program: Command) => void;

export const commands: Register[] = [
  classifyCmd.register,
  evalCmd.register,
  trainCmd.register,
  statsCmd.register,
  feedbackCmd.register,
  exportCmd.register,
];
