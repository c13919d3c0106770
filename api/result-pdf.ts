import { readFile } from 'node:fs/promises';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import type { ResultDocument } from '../domain/result-documents';

/**
 * DejaVu Sans (its licence: node_modules/dejavu-fonts-ttf/LICENSE), a production dependency, so the
 * image has it: every Vietnamese letter with its diacritics, embedded in each file (subset), so the PDF
 * reads the same on any device, with or without fonts of its own.
 */
let fontBytes: Promise<{ regular: Uint8Array; bold: Uint8Array }> | undefined;
function loadFonts() {
  const regular = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
  const bold = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf');
  fontBytes ??= Promise.all([readFile(regular), readFile(bold)]).then(([r, b]) => ({ regular: r, bold: b }));
  return fontBytes;
}

const page = { width: 595.28, height: 841.89, margin: 56 } as const;
const labelWidth = 170;
const ink = rgb(0.1, 0.1, 0.1);
const grey = rgb(0.4, 0.4, 0.4);

/** Words laid into lines no wider than `width`; a word longer than a line is cut by characters. */
function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (font.widthOfTextAtSize(candidate, size) <= width) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    line = word;
    while (font.widthOfTextAtSize(line, size) > width) {
      let cut = line.length - 1;
      while (cut > 1 && font.widthOfTextAtSize(line.slice(0, cut), size) > width) cut -= 1;
      lines.push(line.slice(0, cut));
      line = line.slice(cut);
    }
  }
  if (line) lines.push(line);
  return lines.length > 0 ? lines : [''];
}

/** Writes top to bottom, opening a page when the current one is full. */
class Writer {
  private current: PDFPage;
  private y: number;
  constructor(
    private readonly doc: PDFDocument,
    readonly fonts: { regular: PDFFont; bold: PDFFont },
  ) {
    this.current = doc.addPage([page.width, page.height]);
    this.y = page.height - page.margin;
  }
  private room(height: number) {
    if (this.y - height >= page.margin) return;
    this.current = this.doc.addPage([page.width, page.height]);
    this.y = page.height - page.margin;
  }
  gap(height: number) {
    this.y -= height;
  }
  centred(text: string, size: number, bold = false) {
    const font = bold ? this.fonts.bold : this.fonts.regular;
    for (const line of wrap(text, font, size, page.width - 2 * page.margin)) {
      this.room(size * 1.5);
      this.y -= size * 1.4;
      this.current.drawText(line, { x: (page.width - font.widthOfTextAtSize(line, size)) / 2, y: this.y, size, font, color: ink });
    }
  }
  paragraph(text: string, size: number, color = ink) {
    for (const line of wrap(text, this.fonts.regular, size, page.width - 2 * page.margin)) {
      this.room(size * 1.5);
      this.y -= size * 1.4;
      this.current.drawText(line, { x: page.margin, y: this.y, size, font: this.fonts.regular, color });
    }
  }
  row(label: string, value: string, size: number) {
    const labels = wrap(label, this.fonts.bold, size, labelWidth - 8);
    const values = wrap(value, this.fonts.regular, size, page.width - 2 * page.margin - labelWidth);
    const lines = Math.max(labels.length, values.length);
    this.room(lines * size * 1.4 + 4);
    const top = this.y;
    labels.forEach((line, i) => this.current.drawText(line, { x: page.margin, y: top - (i + 1) * size * 1.4, size, font: this.fonts.bold, color: ink }));
    values.forEach((line, i) => this.current.drawText(line, { x: page.margin + labelWidth, y: top - (i + 1) * size * 1.4, size, font: this.fonts.regular, color: ink }));
    this.y = top - lines * size * 1.4 - 4;
  }
}

/**
 * The document as a PDF: A4, the state's heading, the issuing office, the title, each section's rows,
 * the notes. The same document gives the same bytes: no clock (the creation date is the document's
 * own), no random font tag, no file identifier.
 */
export async function renderResultPdf(document: ResultDocument): Promise<Uint8Array> {
  const bytes = await loadFonts();
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.registerFontkit(fontkit);
  // A fixed subset tag: pdf-lib would otherwise name each embedding with a random suffix.
  const fonts = {
    regular: await doc.embedFont(bytes.regular, { subset: true, customName: 'LTHONG+DejaVuSans' }),
    bold: await doc.embedFont(bytes.bold, { subset: true, customName: 'LTHONG+DejaVuSans-Bold' }),
  };
  doc.setTitle(document.title, { showInWindowTitleBar: true });
  doc.setAuthor(document.issuer);
  doc.setSubject(document.fileName);
  doc.setCreator('Liên thông');
  doc.setProducer('Liên thông');
  doc.setLanguage('vi-VN');
  doc.setCreationDate(document.issuedAt);
  doc.setModificationDate(document.issuedAt);

  const out = new Writer(doc, fonts);
  out.centred('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 11, true);
  out.centred('Độc lập – Tự do – Hạnh phúc', 11);
  out.gap(10);
  out.centred(document.issuer, 11);
  out.gap(14);
  out.centred(document.title, 14, true);
  for (const section of document.sections) {
    out.gap(14);
    out.paragraph(section.heading.toUpperCase(), 10, grey);
    out.gap(4);
    for (const [label, value] of section.rows) out.row(label, value, 10.5);
  }
  out.gap(16);
  for (const note of document.notes) out.paragraph(note, 9, grey);
  return doc.save({ useObjectStreams: false });
}
