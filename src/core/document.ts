/** Where a document (or a value inside it) came from. Lines and columns are 1-based. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
  /** Index of the document inside a multi-document file (0-based). */
  index: number;
  /** On a finding: the field it is about (`spec.containers[0].securityContext.privileged`), when known. */
  path?: string;
}

export type DocumentFormat = 'kubernetes' | 'terraform' | 'terraform-plan' | 'iam-policy' | 'json' | 'host';

/** Everything Rampart checks becomes a Document: plain JSON content plus where it came from. */
export interface Document<T = unknown> {
  id: string;
  origin: SourcePosition;
  format: DocumentFormat;
  content: T;
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function formatPosition(origin: Pick<SourcePosition, 'file' | 'line' | 'column'>): string {
  return `${origin.file}:${origin.line}:${origin.column}`;
}
