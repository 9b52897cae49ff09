#!/usr/bin/env node
// Job 1, the app side: sign a user in to the pool, get Tessera credentials with fromTessera(),
// and upload a file with the AWS SDK to the user's own prefix, uploads/<sub>/. The provider
// refreshes before the credentials expire; the SDK asks it again whenever it needs to.
//
//   node examples/app-upload/upload.mjs <file> [username]      (after npm start; default alice)
//
// Against the local stack it reads .tessera/local.json (or $TESSERA_HOME/local.json); the
// password comes from there too (a real app signs in with the hosted UI or Amplify instead).
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { MemoryStorage, passwordLogin, Session, unverifiedClaims } from '@tessera/client';
import { fromTessera } from '@tessera/client/credentials';

const [file, username = 'alice'] = process.argv.slice(2);
if (!file) {
  console.error('usage: node examples/app-upload/upload.mjs <file> [username]');
  process.exit(2);
}
const home = process.env.TESSERA_HOME ?? join(process.cwd(), '.tessera');
const info = JSON.parse(readFileSync(join(home, 'local.json'), 'utf8'));
if (!info.s3) {
  console.error('this local stack serves no S3 (local.json has no "s3"): nothing to upload to');
  process.exit(1);
}
// local.json lists the stack's bucket names; job 1's is the first (tessera-local-media).
const bucket = info.buckets?.[0] ?? 'tessera-local-media';
const pool = {
  issuer: info.issuer.url,
  region: info.region,
  clientId: info.issuer.clients.app,
  cognitoIdp: info.cognitoIdp,
  tokenUse: 'id',
};
const password = info.users.find((u) => u.username === username)?.password;
const session = new Session({ pool, storage: new MemoryStorage() });
await session.save(await passwordLogin(pool, username, password));
const sub = unverifiedClaims(await session.token()).sub;

const s3 = new S3Client({
  region: info.region,
  endpoint: info.s3,
  forcePathStyle: true,
  credentials: fromTessera({ api: info.api, role: 'app-upload', token: () => session.token() }),
});
const key = `uploads/${sub}/${basename(file)}`;
await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(file) }));
console.log(`uploaded s3://${bucket}/${key} as ${username}`);
