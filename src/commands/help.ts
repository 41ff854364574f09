/** `xfed help [COMMAND]`: the same help as `--help` / `-h`, as a command (oclif's help class). */
import { Args, Command, loadHelpClass } from '@oclif/core';

export default class HelpCommand extends Command {
  static override summary = 'Show help for xfed or for one command.';
  static override examples = ['<%= config.bin %> help', '<%= config.bin %> help probe tls'];
  static override strict = false;
  static override args = {
    command: Args.string({ ignoreStdin: true, description: 'command to show help for, e.g. check srv' }),
  };

  async run(): Promise<void> {
    const { argv } = await this.parse(HelpCommand);
    const Help = await loadHelpClass(this.config);
    await new Help(this.config, this.config.pjson.oclif.helpOptions ?? {}).showHelp(argv as string[]);
  }
}
