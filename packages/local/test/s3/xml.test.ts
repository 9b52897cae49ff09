import { describe, expect, it } from 'vitest';
import { parseCompleteMultipartUpload } from '../../src/s3/xml.js';

describe('parseCompleteMultipartUpload', () => {
  it('reads parts as botocore and the JS SDK send them', () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><ETag>&quot;abc&quot;</ETag><PartNumber>1</PartNumber><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part><Part><ETag>"def"</ETag><PartNumber>2</PartNumber></Part></CompleteMultipartUpload>';
    expect(parseCompleteMultipartUpload(xml)).toEqual([
      { partNumber: 1, etag: '"abc"', checksums: { ChecksumCRC32: 'AAAAAA==' } },
      { partNumber: 2, etag: '"def"', checksums: {} },
    ]);
  });

  it('refuses other shapes and entity declarations', () => {
    expect(parseCompleteMultipartUpload('<Other/>')).toBeUndefined();
    expect(
      parseCompleteMultipartUpload(
        '<!DOCTYPE x [<!ENTITY e "boom">]><CompleteMultipartUpload><Part><ETag>&e;</ETag><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>',
      ),
    ).toBeUndefined();
    expect(
      parseCompleteMultipartUpload(
        '<CompleteMultipartUpload><Part><PartNumber>x</PartNumber><ETag>a</ETag></Part></CompleteMultipartUpload>',
      ),
    ).toBeUndefined();
  });
});
