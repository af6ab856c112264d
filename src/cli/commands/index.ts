// Every CLI command registers itself here. One module per command (or small family of commands).
import type { Command } from 'commander';
import * as exportCmd from './export';
import * as feedbackCmd from './feedback';
import * as statsCmd from './stats';

export type Register = (program: Command) => void;

export const commands: Register[] = [
  statsCmd.register,
  feedbackCmd.register,
  exportCmd.register,
];
