/** Child process for the flood test: `count` concurrent POST /api/v1/memo with one key, then a JSON tally of answers. */
import { request } from 'node:http';

const [port, key, count] = process.argv.slice(2) as [string, string, string];

function post(): Promise<string> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ text: 'Hi.', voice: 'flite:kal' });
    const req = request({ host: '127.0.0.1', port: Number(port), method: 'POST', path: '/api/v1/memo', agent: false, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c));
      res.on('end', () => resolve(res.statusCode === 201 ? '201' : `${res.statusCode} ${(JSON.parse(text) as { error: { code: string } }).error.code}`));
    });
    req.on('error', reject);
    req.end(body);
  });
}

process.send?.('ready');
await new Promise((resolve) => process.once('message', resolve));
const answers = await Promise.all(Array.from({ length: Number(count) }, post));
const tally: Record<string, number> = {};
for (const answer of answers) tally[answer] = (tally[answer] ?? 0) + 1;
console.log(JSON.stringify(tally));
