/** The access review's CSV answer (the text is the broker's `reviewCsvText`); the next cursor in `X-Next-Cursor`. */
import { type AccessReview, reviewCsvText } from '@tessera/broker';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export function reviewCsv(
  review: AccessReview,
  by: 'binding' | 'subject',
  cursor: string | undefined,
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: 200,
    headers: {
      'Content-Type': 'text/csv; charset=utf-8; header=present',
      'Content-Disposition': 'attachment; filename="tessera-access-review.csv"',
      'Cache-Control': 'no-store',
      ...(cursor ? { 'X-Next-Cursor': cursor } : {}),
    },
    body: reviewCsvText([review], by),
  };
}
