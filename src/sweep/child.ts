// A sweep worker process (forked by JobPool): runs the jobs its parent sends, one at a time.
import { runJob } from './tasks.ts';
import type { JobData } from './spec.ts';

type Msg = { type: 'job'; job: JobData };

process.on('message', (m: Msg) => {
  if (m.type !== 'job') return;
  void runJob(m.job).then((outcome) => process.send!({ type: 'done', key: m.job.key, outcome }));
});
// Ctrl-C reaches the whole process group: the parent decides (it stops this process with SIGTERM)
process.on('SIGINT', () => {});
// the parent is gone (killed, or done): stop, do not linger as an orphan running tools
process.on('disconnect', () => process.exit(0));
process.send!({ type: 'ready' });
