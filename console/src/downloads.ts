import { ApiProblem } from './api';
import { session } from './session';

/**
 * A PDF from the API saved by the browser under the API's own file name. The citizen's copy is a POST
 * (the receipt code in the body, never in a URL); staff's a GET with the session's token.
 */
export async function downloadPdf(path: string, init: { body?: unknown; anonymous?: boolean } = {}): Promise<void> {
  const headers: Record<string, string> = { accept: 'application/pdf, application/problem+json' };
  const token = init.anonymous ? null : session.token();
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, { method: init.body === undefined ? 'GET' : 'POST', headers, body: init.body === undefined ? null : JSON.stringify(init.body), cache: 'no-store' });
  } catch {
    throw new ApiProblem(0, 'Network', 'Không kết nối được máy chủ. Kiểm tra mạng rồi thử lại.');
  }
  if (!response.ok) {
    const problem = ((await response.json().catch(() => null)) ?? {}) as { title?: string; detail?: string };
    throw new ApiProblem(response.status, problem.title ?? response.statusText, problem.detail, []);
  }
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'ket-qua.pdf';
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // After the click has handed the file to the browser.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
