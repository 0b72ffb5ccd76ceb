// Amplitude gold: daily events by day/event_type/platform/country and daily active users, incremental per dt,
// never double counting events or users that arrived in several dts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listAll } from '../../../src/core/storage.ts';
import { runTransform } from '../../../src/layers/transform.ts';
import { runAggregate } from '../../../src/layers/aggregate.ts';
import { queryLake } from '../../../src/layers/query.ts';
import { ampEvent, ndjson, putRaw, withLake } from '../../layers/helpers.ts';

const late = (n: number, over: Record<string, unknown> = {}) =>
  ampEvent(n, { server_upload_time: '2022-11-15 00:30:00.000000', ...over });

test('gold per event day from every arrival dt: a day split across dts, duplicates across dts counted once', () =>
  withLake(async (ctx) => {
    // dt=2022-11-14: events 0..9 on the 14th.
    await putRaw(ctx, 'amplitude', '2022-11-14', 10, 'a.json.gz', ndjson(Array.from({ length: 10 }, (_, i) => ampEvent(i))));
    // dt=2022-11-15 (arrival): late events of the 14th (10..13), a re-sent duplicate of event 0, and events of the 15th.
    await putRaw(
      ctx,
      'amplitude',
      '2022-11-15',
      0,
      'b.json.gz',
      ndjson([
        ...[10, 11, 12, 13].map((n) => late(n)),
        late(0),
        late(50, { event_time: '2022-11-15 00:10:00.000000', user_id: 'user-0' }),
        late(51, { event_time: '2022-11-15 00:11:00', user_id: 'user-new', platform: null, country: null }),
      ]),
    );
    await runTransform(ctx, { source: 'amplitude' });
    const [s] = await runAggregate(ctx, { source: 'amplitude' });
    assert.deepEqual(s!.dts, ['2022-11-14', '2022-11-15']);
    const keys = (await listAll(ctx.storage, 'aggregated/')).map((o) => o.key);
    assert.deepEqual(keys, [
      'aggregated/amplitude/daily_active_users/dt=2022-11-14/part-0.parquet',
      'aggregated/amplitude/daily_active_users/dt=2022-11-15/part-0.parquet',
      'aggregated/amplitude/daily_events/dt=2022-11-14/part-0.parquet',
      'aggregated/amplitude/daily_events/dt=2022-11-15/part-0.parquet',
    ]);
    const dau = await queryLake(ctx, `SELECT event_date::VARCHAR AS d, active_users, active_devices, event_count FROM amplitude_daily_active_users ORDER BY 1`);
    // 14th: events 0..13 once each (0 arrived twice). Users: user_id = user-(n%11) unless n%5==0 → device dev-(n%7).
    const ids14 = Array.from({ length: 14 }, (_, n) => (n % 5 === 0 ? `device:dev-${n % 7}` : `user-${n % 11}`));
    const devs14 = new Set(Array.from({ length: 14 }, (_, n) => `dev-${n % 7}`));
    assert.deepEqual(dau.rows, [
      { d: '2022-11-14', active_users: new Set(ids14).size, active_devices: devs14.size, event_count: 14 },
      { d: '2022-11-15', active_users: 2, active_devices: 2, event_count: 2 },
    ]);
    const ev = await queryLake(ctx, `SELECT event_type, platform, country, sum(event_count)::BIGINT AS n FROM amplitude_daily_events WHERE dt = DATE '2022-11-14' GROUP BY ALL ORDER BY ALL`);
    const expect = new Map<string, number>();
    for (let n = 0; n < 14; n++) {
      const k = `${n % 2 === 0 ? 'page_view' : 'click'}|${n % 2 === 0 ? 'Web' : 'iOS'}|${n % 3 === 0 ? 'Germany' : 'France'}`;
      expect.set(k, (expect.get(k) ?? 0) + 1);
    }
    assert.deepEqual(
      ev.rows.map((r) => `${r.event_type}|${r.platform}|${r.country}=${r.n}`),
      [...expect.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, n]) => `${k}=${n}`),
    );
    const unknown = await queryLake(ctx, `SELECT platform, country, event_count FROM amplitude_daily_events WHERE dt = DATE '2022-11-15' AND platform = 'unknown'`);
    assert.deepEqual(unknown.rows, [{ platform: 'unknown', country: 'unknown', event_count: 1 }]);

    // Incremental: re-aggregating only the 15th rebuilds the days it touches (14th and 15th) to the same numbers.
    const [again] = await runAggregate(ctx, { source: 'amplitude', from: '2022-11-15', to: '2022-11-15' });
    assert.deepEqual(again!.dts, ['2022-11-15']);
    assert.deepEqual(again!.promoted.sort(), [
      'daily_active_users/dt=2022-11-14',
      'daily_active_users/dt=2022-11-15',
      'daily_events/dt=2022-11-14',
      'daily_events/dt=2022-11-15',
    ]);
    const dau2 = await queryLake(ctx, `SELECT event_date::VARCHAR AS d, active_users, active_devices, event_count FROM amplitude_daily_active_users ORDER BY 1`);
    assert.deepEqual(dau2.rows, dau.rows);
  }));
