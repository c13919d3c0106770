import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';
import { projectRoot } from '../../runtime/tools';

/** What a process started from some entry files loads: this repository's files, and npm packages with the files importing them. */
export interface RuntimeImports {
  files: string[];
  packages: Map<string, string[]>;
}

/**
 * Module specifiers a file loads when it runs: type-only imports are erased, lazy import() and require()
 * count, and so does require.resolve() of a package's file (fonts read from it).
 */
function loadedSpecifiers(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier)) found.push(node.moduleSpecifier.text);
    else if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) found.push(node.moduleSpecifier.text);
    else if (ts.isCallExpression(node) && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      const callee = node.expression;
      const requireResolve = ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'require' && callee.name.text === 'resolve';
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require') || requireResolve) found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The file a relative specifier names, as tsx resolves it (the generated Prisma client writes `./x.js` for `./x.ts`). */
function resolveRelative(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier);
  const candidates = [base, `${base}.ts`, resolve(base, 'index.ts'), base.replace(/\.js$/, '.ts')];
  const file = candidates.find((path) => existsSync(path) && /\.(ts|tsx|js|json)$/.test(path));
  if (!file) throw new Error(`${relative(projectRoot, from)}: cannot resolve ${specifier}`);
  return file;
}

const packageName = (specifier: string): string => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

/** Follows every import from the entries (paths relative to the repository) through this repository's files. */
export function runtimeImports(entries: string[]): RuntimeImports {
  const seen = new Set<string>();
  const packages = new Map<string, string[]>();
  const pending = entries.map((entry) => resolve(projectRoot, entry));
  for (let file = pending.pop(); file; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    if (!/\.tsx?$/.test(file)) continue;
    for (const specifier of loadedSpecifiers(file)) {
      if (specifier.startsWith('.')) pending.push(resolveRelative(file, specifier));
      else if (!specifier.startsWith('node:')) {
        const name = packageName(specifier);
        packages.set(name, [...(packages.get(name) ?? []), relative(projectRoot, file)]);
      }
    }
  }
  return { files: [...seen].map((file) => relative(projectRoot, file)).sort(), packages };
}
