// `eventlake collector ...`: producer API keys for the streaming collector (served by `eventlake serve`).
import type { Registrar } from '../program.ts';
import { addProducer, readProducerStore, removeProducer, producersKey } from '../../collector/auth.ts';
import { EventlakeError } from '../../core/errors.ts';

export function register(reg: Registrar): void {
  const g = reg.group('collector', 'the streaming collector (Firehose-like HTTP ingest, a plugin of `eventlake serve`): producer keys');
  g.command('add-producer <name>')
    .description(
      'create a producer and print its API key ONCE (only the sha256 is stored, in _eventlake/state/collector/producers.json).\n' +
        'Producers send it as "Authorization: Bearer <key>" (or X-Api-Key / X-Amz-Firehose-Access-Key). A running server picks it up within seconds.',
    )
    .option('--rotate', 'replace the key of an existing producer (the old key stops working)')
    .action(async (name: string, o: { rotate?: boolean }, cmd) => {
      const ctx = await reg.context(cmd);
      const { key, record } = await addProducer(ctx.storage, ctx.layout, name, { rotate: o.rotate });
      process.stderr.write(`producer ${record.name} ${o.rotate ? 'rotated' : 'created'}; store this key now, it is not shown again:\n`);
      process.stdout.write(`${key}\n`);
    });
  g.command('list-producers')
    .description('list producers (names, key hash prefixes, creation time); keys are never stored')
    .action(async (_o, cmd) => {
      const ctx = await reg.context(cmd);
      const list = await readProducerStore(ctx.storage, ctx.layout);
      const cfg = ctx.loaded.config.collector.producers;
      for (const p of list) process.stdout.write(`${p.name}\tsha256:${p.keySha256.slice(0, 12)}…\t${p.createdAt ?? ''}\t${ctx.storage.uri(producersKey(ctx.layout))}\n`);
      for (const p of cfg) process.stdout.write(`${p.name}\tsha256:${p.keySha256.slice(0, 12)}…\t\tconfig collector.producers\n`);
      if (!list.length && !cfg.length) process.stderr.write('no producers: eventlake collector add-producer <name>\n');
    });
  g.command('remove-producer <name>')
    .description('delete a producer from the lake store; its key stops working within seconds')
    .action(async (name: string, _o, cmd) => {
      const ctx = await reg.context(cmd);
      if (!(await removeProducer(ctx.storage, ctx.layout, name))) throw new EventlakeError(`no producer named ${name} in the lake store`, { step: 'collector.auth', code: 'USAGE', next: 'eventlake collector list-producers' });
      process.stdout.write(`producer ${name} removed\n`);
    });
}
