import { startRedis } from './src/redis-server.ts';
import { Queue } from 'bullmq';
import { convoyRedis } from './src/contenders/index.ts';
import { OrderLedger } from './src/order-ledger.ts';
import { orderEvents } from './src/order-machine.ts';
const r = await startRedis('none');
const ledger = new OrderLedger();
const inst = await convoyRedis.open({ redisUrl: r.url, prefix: 'dbg', ledger, concurrency: 4 });
for (const e of orderEvents(4)) await inst.send([{ convoyId: 'o-1', event: e, scheduledAt: 0 }]);
await inst.start();
await new Promise((res) => setTimeout(res, 1500));
console.log('applied', ledger.count);
const q = new Queue('convoy-turns', {
  connection: { host: '127.0.0.1', port: r.port },
  prefix: '{dbg-turns}',
});
const failed = await q.getFailed();
console.log(failed.map((j) => j.failedReason + '\n' + j.stacktrace?.[0]).slice(0, 2));
await q.close();
await inst.close();
await r.stop();
process.exit(0);
