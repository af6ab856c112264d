// Every CLI command registers itself here. One module per command (or small family of commands).
import type { Command } from 'commander';

export type Register = (program: Command) => void;

export const commands: Register[] = [];
