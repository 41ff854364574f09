// Start-up floor for bench/: one oclif 4 command that prints one line.
import { Command } from '@oclif/core';

export default class Hello extends Command {
  static summary = 'print one line';

  async run() {
    this.log('hello');
  }
}
