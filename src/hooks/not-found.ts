/**
 * `xfed chek srv`: an unknown command suggests the closest one. At a terminal this hands over
 * to @oclif/plugin-not-found, which asks "Did you mean check srv?" and runs it on yes; in a
 * script (no TTY) it is a usage error (exit 2, one line) that names the suggestion, since no
 * one can answer a prompt there. Both paths load only when a command is not found.
 */
import { type Hook, toConfiguredId } from '@oclif/core';
import { UsageError } from '../cli/errors.js';
import { importEsm } from '../cli/esm-import.js';
import { safeText } from '../report/untrusted.js';

const hook: Hook<'command_not_found'> = async function (opts) {
  if (process.stdin.isTTY && process.stderr.isTTY) {
    const { default: prompt } =
      await importEsm<typeof import('@oclif/plugin-not-found')>('@oclif/plugin-not-found');
    return prompt.call(this, opts);
  }
  const { default: levenshtein } = await import('fast-levenshtein');
  const ids = opts.config.commands.filter((c) => !c.hidden).map((c) => c.id);
  const best = ids
    // Compare with as many words of what was typed as the command has: in `xfed chek srv
    // example.org` the domain is an argument, not part of the name.
    .map((id) => ({
      id,
      d: levenshtein.get(opts.id.split(':').slice(0, id.split(':').length).join(':'), id),
    }))
    .sort((a, b) => a.d - b.d || a.id.localeCompare(b.id))[0];
  const typed = safeText(toConfiguredId(opts.id, opts.config), { max: 60 });
  // Only a near miss is worth suggesting: at most a third of the name wrong.
  const near = best && best.d <= Math.max(2, Math.floor(best.id.length / 3));
  const hint = near ? `; did you mean "${toConfiguredId(best.id, opts.config)}"?` : '';
  throw new UsageError(`"${typed}" is not an xfed command${hint}`);
};

export default hook;
