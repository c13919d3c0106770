import { inflateSync } from 'node:zlib';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFRef, PDFStream } from 'pdf-lib';

/**
 * The text a PDF shows, read back from the file itself: each font's ToUnicode map turns the glyph codes
 * of the page's text operators back into characters. A glyph the font lacks would have no mapping, so
 * finding a Vietnamese name here proves the embedded font draws its diacritics.
 */
export async function pdfText(bytes: Uint8Array): Promise<string> {
  const doc = await PDFDocument.load(bytes);
  const decode = (stream: PDFStream) => {
    const raw = stream as PDFRawStream;
    const filter = raw.dict.get(PDFName.of('Filter'));
    return filter ? inflateSync(Buffer.from(raw.contents)).toString('latin1') : Buffer.from(raw.contents).toString('latin1');
  };
  let text = '';
  for (const page of doc.getPages()) {
    const maps = new Map<string, Map<string, string>>();
    const fonts = page.node.Resources()!.lookup(PDFName.of('Font'), PDFDict);
    for (const [name, ref] of fonts.entries()) {
      const font = doc.context.lookup(ref as PDFRef, PDFDict);
      const cmap = decode(doc.context.lookup(font.get(PDFName.of('ToUnicode')) as PDFRef, PDFStream));
      const map = new Map<string, string>();
      for (const [, code, unicode] of cmap.matchAll(/<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>/g)) {
        map.set(code!.toUpperCase(), Buffer.from(unicode!, 'hex').swap16().toString('utf16le'));
      }
      maps.set(name.asString(), map);
    }
    const contents = page.node.Contents();
    const streams = contents instanceof PDFArray ? contents.asArray().map((r) => doc.context.lookup(r as PDFRef, PDFStream)) : [contents as PDFStream];
    let font = '';
    for (const stream of streams) {
      for (const [, fontName, hex] of decode(stream).matchAll(/\/(\S+) [\d.]+ Tf|<([0-9A-Fa-f]*)> Tj/g)) {
        if (fontName) font = `/${fontName}`;
        else text += `${(hex!.toUpperCase().match(/.{4}/g) ?? []).map((code) => maps.get(font)?.get(code) ?? '\uFFFD').join('')}\n`;
      }
    }
  }
  return text;
}
