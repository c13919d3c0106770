import { Alert } from 'antd';
import { ApiProblem } from '../api';
import { problemText } from '../labels';

/** Why a page's data did not load, said plainly: an empty table must never stand in for an error. */
export function LoadError({ error, what }: { error: Error | null; what: string }) {
  if (!error) return null;
  return <Alert type="error" showIcon title={`Không tải được ${what}`} description={error instanceof ApiProblem ? problemText(error) : error.message} style={{ marginBottom: 12 }} />;
}
