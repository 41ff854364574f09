import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { outputFormat, XfedCommand } from '../cli/base-command.js';
import { UsageError } from '../cli/errors.js';
import { shown } from '../cli/file-input.js';
import { styleFor } from '../cli/tty.js';
import { catalog, type FindingId } from '../judge/catalog/index.js';
import { explainAll, explainEntry, explainJson, suggest } from '../report/explain.js';

export default class Explain extends XfedCommand {
  static override summary = 'Print the catalog entry for a finding ID (symptom, cause, fix, references).';
  static override examples = [
    '<%= config.bin %> explain dns.srv.target-cname',
    '<%= config.bin %> explain --all',
    '<%= config.bin %> explain --all --json',
  ];
  static override args = {
    id: Args.string({ ignoreStdin: true, description: 'finding ID, e.g. cert.validity.expired' }),
  };
  static override flags = { all: Flags.boolean({ description: 'list every finding ID in the catalog' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Explain);
    const format = outputFormat(flags);
    if (format !== 'text' && format !== 'json')
      throw new UsageError(`explain prints the catalog as text or json, not --format ${format}`);
    if (!flags.all && !args.id)
      throw new UsageError('give a finding ID (e.g. cert.validity.expired) or --all');
    if (args.id && !catalog.has(args.id as FindingId)) {
      const near = suggest(args.id);
      throw new UsageError(
        `unknown finding ID "${shown(args.id)}"${near.length ? `; did you mean ${near.join(', ')}?` : '; list them with --all'}`,
      );
    }
    const ids = flags.all ? [...catalog.keys()] : [args.id as FindingId];
    if (format === 'json') return void process.stdout.write(explainJson(ids));
    const st = await styleFor(process.stdout);
    process.stdout.write(flags.all ? explainAll(st) : explainEntry(ids[0] as FindingId, st));
  }
}
