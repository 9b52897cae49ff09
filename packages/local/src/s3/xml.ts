/**
 * S3's XML: answers built from plain data (`element`), errors in S3's `<Error>` shape, and the one
 * request document S3 clients send here, CompleteMultipartUpload, read by a small scanner (no
 * entities beyond the five XML ones, no DTD: a DOCTYPE is refused as MalformedXML).
 */
import type { S3Error } from './errors.js';

export const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const PROLOG = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** A node of an answer: text, a number or boolean, nested children, or a list of same-named children. */
export type XmlValue = string | number | boolean | XmlNode | readonly XmlNode[] | undefined;
export interface XmlNode {
  readonly [name: string]: XmlValue;
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"'\r]/g, (c) =>
    c === '<'
      ? '&lt;'
      : c === '>'
        ? '&gt;'
        : c === '&'
          ? '&amp;'
          : c === '"'
            ? '&quot;'
            : c === "'"
              ? '&apos;'
              : '&#13;',
  );
}

function children(node: XmlNode): string {
  let out = '';
  for (const [name, value] of Object.entries(node)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      for (const item of value as readonly XmlNode[]) out += `<${name}>${children(item)}</${name}>`;
    } else if (typeof value === 'object') {
      out += `<${name}>${children(value as XmlNode)}</${name}>`;
    } else out += `<${name}>${escapeXml(String(value))}</${name}>`;
  }
  return out;
}

/** `<?xml ...?><Root xmlns="...">children</Root>` */
export function xmlDocument(root: string, body: XmlNode): string {
  return `${PROLOG}<${root} xmlns="${S3_NS}">${children(body)}</${root}>`;
}

export function errorXml(err: S3Error, resource: string, requestId: string): string {
  const details: XmlNode = { ...err.details };
  return `${PROLOG}<Error>${children({
    Code: err.code,
    Message: err.message,
    ...details,
    Resource: resource,
    RequestId: requestId,
    HostId: hostId(requestId),
  })}</Error>`;
}

/** S3's `x-amz-id-2`: an opaque id; here derived from the request id. */
export function hostId(requestId: string): string {
  return Buffer.from(`tessera-local/${requestId}`).toString('base64');
}

const ENTITIES: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
};

function unescapeXml(text: string): string | undefined {
  let bad = false;
  const out = text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (_, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(Number.parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number.parseInt(e.slice(1), 10));
    const v = ENTITIES[e];
    if (v === undefined) bad = true;
    return v ?? '';
  });
  return bad || /&(?![a-z#])/.test(text) ? undefined : out;
}

export interface CompletedPart {
  readonly partNumber: number;
  readonly etag: string;
  /** `ChecksumCRC32` etc. as sent, by element name. */
  readonly checksums: Readonly<Record<string, string>>;
}

/**
 * Reads `<CompleteMultipartUpload><Part><PartNumber/><ETag/>...</Part>...</CompleteMultipartUpload>`.
 * Undefined when the document is not that shape (the caller answers MalformedXML).
 */
export function parseCompleteMultipartUpload(raw: string): CompletedPart[] | undefined {
  if (/<!DOCTYPE|<!ENTITY/i.test(raw)) return undefined;
  const body = raw.replace(/^\s*<\?xml[^?]*\?>/, '').trim();
  const root =
    /^<CompleteMultipartUpload(\s+xmlns="[^"]*")?\s*>([\s\S]*)<\/CompleteMultipartUpload>$/.exec(
      body,
    );
  if (!root) return undefined;
  const parts: CompletedPart[] = [];
  let rest = root[2]!.trim();
  const PART = /^<Part>([\s\S]*?)<\/Part>\s*/;
  while (rest.length > 0) {
    const m = PART.exec(rest);
    if (!m) return undefined;
    rest = rest.slice(m[0].length);
    const fields: Record<string, string> = {};
    let inner = m[1]!.trim();
    const FIELD = /^<([A-Za-z0-9]+)>([^<]*)<\/\1>\s*/;
    while (inner.length > 0) {
      const f = FIELD.exec(inner);
      if (!f) return undefined;
      const value = unescapeXml(f[2]!);
      if (value === undefined) return undefined;
      fields[f[1]!] = value;
      inner = inner.slice(f[0].length);
    }
    const partNumber = Number(fields.PartNumber);
    if (!/^\d+$/.test(fields.PartNumber ?? '') || fields.ETag === undefined) return undefined;
    const checksums: Record<string, string> = {};
    for (const [k, v] of Object.entries(fields)) if (k.startsWith('Checksum')) checksums[k] = v;
    parts.push({ partNumber, etag: fields.ETag, checksums });
  }
  return parts;
}
