import type { RelatedModel } from '../model/relation-declarations.js';
import type { DatabaseSchema } from './database-schema.js';
import { diagramGraph, type DiagramEnd, type DiagramGraph } from './diagram-graph.js';
import { isModelClass } from './model-classes.js';

/** The text formats `diagram()` writes. */
export type DiagramFormat = 'mermaid' | 'dot';

/** Options of `diagram()`. */
export interface DiagramOptions {
  /** `mermaid` (default): an `erDiagram` block; `dot`: a Graphviz digraph. */
  readonly format?: DiagramFormat;
}

/** What to draw: a schema, models, or both (the models' relationships over the schema's columns). */
export interface DiagramInput {
  readonly schema?: DatabaseSchema;
  readonly models?: readonly (abstract new (...args: never[]) => unknown)[];
}

const CONTROL = /\p{Cc}/gu;

/** A Mermaid entity name: always quoted (so that no name reads as a keyword), without what quotes cannot hold. */
export function mermaidEntity(name: string): string {
  return `"${name.replace(CONTROL, ' ').replace(/["%\\]/g, '_') || '_'}"`;
}

/** A Mermaid attribute type or name: a bare word of letters, digits, `_` (and `()[]` in types). */
export function mermaidWord(text: string, type = false): string {
  let word = text.replace(type ? /[^A-Za-z0-9_()[\]]/g : /[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(word)) word = `_${word}`;
  // PK, FK and UK followed by a word boundary are read as key markers.
  return /^(?:pk|fk|uk)\b/i.test(word) ? `_${word}` : word;
}

/** A Mermaid relationship label: quoted, double quotes turned into single ones. */
export function mermaidLabel(text: string): string {
  return `"${text.replace(CONTROL, ' ').replaceAll('"', "'")}"`;
}

/** A DOT quoted identifier or string: `"` and `\` escaped, line breaks as spaces. */
export function dotString(text: string): string {
  return `"${text.replace(CONTROL, ' ').replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Text for a Graphviz HTML-like label. */
export function dotHtml(text: string): string {
  return text
    .replace(CONTROL, ' ')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

const MERMAID_LEFT: Record<DiagramEnd, string> = { one: '||', 'zero-or-one': '|o', 'zero-or-many': '}o' };
const MERMAID_RIGHT: Record<DiagramEnd, string> = { one: '||', 'zero-or-one': 'o|', 'zero-or-many': 'o{' };
// Graphviz arrow shapes, the first drawn at the node: crow's-foot notation.
const DOT_ARROW: Record<DiagramEnd, string> = {
  one: 'teetee',
  'zero-or-one': 'teeodot',
  'zero-or-many': 'crowodot',
};

function keysOf(column: DiagramGraph['entities'][number]['columns'][number]): string[] {
  return [column.primaryKey && 'PK', column.foreignKey && 'FK', column.unique && 'UK'].filter(
    (key): key is string => typeof key === 'string',
  );
}

/**
 * The Mermaid name of each entity: `mermaidEntity`'s, with `_2`, `_3`… after a name an earlier entity took (`a"b`
 * and `a_b` both read `a_b` there, and would be drawn as one).
 */
function mermaidNames(graph: DiagramGraph): (name: string) => string {
  const names = new Map<string, string>();
  const used = new Set<string>();
  for (const entity of graph.entities) {
    const base = mermaidEntity(entity.name).slice(1, -1);
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}_${n}`;
    used.add(name);
    names.set(entity.name, `"${name}"`);
  }
  return (name) => names.get(name) ?? mermaidEntity(name);
}

/** A Mermaid `erDiagram`: entities with their columns, then relationships. */
export function mermaidDiagram(graph: DiagramGraph): string {
  const lines = ['erDiagram'];
  const entityName = mermaidNames(graph);
  for (const entity of graph.entities) {
    if (entity.columns.length === 0) {
      lines.push(`    ${entityName(entity.name)}`);
      continue;
    }
    lines.push(`    ${entityName(entity.name)} {`);
    for (const column of entity.columns) {
      const keys = keysOf(column);
      const parts = [mermaidWord(column.type, true), mermaidWord(column.name)];
      if (keys.length > 0) parts.push(keys.join(', '));
      lines.push(`        ${parts.join(' ')}`);
    }
    lines.push('    }');
  }
  for (const edge of graph.edges) {
    const line = `${MERMAID_LEFT[edge.fromEnd]}--${MERMAID_RIGHT[edge.toEnd]}`;
    lines.push(`    ${entityName(edge.from)} ${line} ${entityName(edge.to)} : ${mermaidLabel(edge.label)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A Graphviz digraph: one table-shaped node per entity, crow's-foot ends on each edge. */
export function dotDiagram(graph: DiagramGraph): string {
  const lines = [
    'digraph schema {',
    '  graph [rankdir=LR];',
    '  node [shape=plaintext, fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9, dir=both];',
  ];
  for (const entity of graph.entities) {
    lines.push(`  ${dotString(entity.name)} [label=<`);
    lines.push('    <table border="0" cellborder="1" cellspacing="0" cellpadding="4">');
    lines.push(`      <tr><td bgcolor="#e0e0e0"><b>${dotHtml(entity.name)}</b></td></tr>`);
    for (const column of entity.columns) {
      const keys = keysOf(column);
      const text = `${column.name}: ${column.type}${keys.length > 0 ? ` ${keys.join(', ')}` : ''}`;
      lines.push(`      <tr><td align="left">${dotHtml(text)}</td></tr>`);
    }
    lines.push('    </table>');
    lines.push('  >];');
  }
  for (const edge of graph.edges) {
    lines.push(
      `  ${dotString(edge.from)} -> ${dotString(edge.to)} [label=${dotString(edge.label)}, ` +
        `arrowtail=${DOT_ARROW[edge.fromEnd]}, arrowhead=${DOT_ARROW[edge.toEnd]}];`,
    );
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function isSchema(input: unknown): input is DatabaseSchema {
  return typeof input === 'object' && input !== null && Array.isArray((input as DatabaseSchema).tables);
}

/**
 * An ER diagram as text, the same for the same input (everything sorted). Given a schema (from
 * `introspect()`), it draws every table and its foreign keys; given model classes, their tables and the
 * relationships they declare (has many `||--o{`, has one `||--o|`, belongs to `}o--||`, HABTM through its
 * join table, polymorphic ones labelled); given both, the models' relationships over the schema's columns.
 */
export function diagram(
  input: DatabaseSchema | DiagramInput | readonly (abstract new (...args: never[]) => unknown)[],
  options: DiagramOptions = {},
): string {
  let source: DiagramInput;
  if (Array.isArray(input)) source = { models: input as DiagramInput['models'] };
  else if (isSchema(input)) source = { schema: input };
  else source = input as DiagramInput;
  const models: RelatedModel[] | undefined = (source.models as readonly unknown[] | undefined)?.filter(
    isModelClass,
  );
  const graph = diagramGraph({
    ...(source.schema === undefined ? {} : { schema: source.schema }),
    ...(models === undefined ? {} : { models }),
  });
  return options.format === 'dot' ? dotDiagram(graph) : mermaidDiagram(graph);
}
