// A throwaway S3-compatible server (s3rver) for the results-store tests. Run with
// `node --openssl-legacy-provider` (s3rver's list continuation tokens use DES, which OpenSSL 3
// only has in its legacy provider). Prints {"port":N} once listening, then one line per object
// event, and {"synced":true} for each line read on stdin: every event printed before it happened
// before that line was read.
const S3rver = require('s3rver');

const [directory, bucket] = process.argv.slice(2);
const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: bucket }] });
server.on('event', (e) => {
  for (const r of e.Records) process.stdout.write(`${JSON.stringify({ name: r.eventName, key: decodeURIComponent(r.s3.object.key) })}\n`);
});
server.run().then((address) => process.stdout.write(`${JSON.stringify({ port: address.port })}\n`));
process.stdin.on('data', (chunk) => {
  for (const c of chunk.toString()) if (c === '\n') process.stdout.write('{"synced":true}\n');
});
