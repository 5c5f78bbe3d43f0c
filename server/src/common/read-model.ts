import { ReferenceKind, Utils, wrap, type EntityManager, type EntityMetadata } from '@mikro-orm/postgresql';

/**
 * Where each property of a view comes from: the entity property it copies (a many-to-one relation gives the
 * related row's key). Typed against both, so a view property without a source, or a source the entity does
 * not have, fails to compile.
 */
export type ViewSource<V, E> = { readonly [K in keyof V]-?: keyof E & string };

interface Compiled<V> {
  /** The column behind each view property, from the ORM's metadata. */
  columns: Record<keyof V, string>;
  /** View properties that are timestamps: text in a row or JSON, Dates in the view. */
  dates: (keyof V)[];
}

/**
 * A view read straight from rows, with its SQL derived from the entity's MikroORM metadata: the hot reads
 * (the queue page, the loaders) select the columns a view needs and build views without hydrating entities,
 * and no column name is written by hand next to the entity. `fromEntity` is the same mapping for a hydrated
 * entity (what commands return and what events snapshot).
 */
export class ReadModel<E extends object, V extends object, C extends V = V> {
  private compiled: Compiled<V> | null = null;

  /** `V` is what the columns give; `C` the view class, which may add derived properties the resolvers fill in. */
  constructor(
    private readonly entity: new () => E,
    private readonly view: new () => C,
    readonly source: ViewSource<V, E>,
  ) {}

  private compile(em: EntityManager): Compiled<V> {
    if (this.compiled) return this.compiled;
    const meta: EntityMetadata<E> = em.getMetadata().get(this.entity);
    const columns = {} as Record<keyof V, string>;
    const dates: (keyof V)[] = [];
    for (const key of Object.keys(this.source) as (keyof V & string)[]) {
      const property = meta.properties[this.source[key] as keyof typeof meta.properties];
      if (!property || property.persist === false || property.fieldNames?.length !== 1) throw new Error(`${meta.className}.${this.source[key]} is not one column`);
      columns[key] = property.fieldNames[0];
      if (property.runtimeType === 'Date') dates.push(key);
    }
    this.compiled = { columns, dates };
    return this.compiled;
  }

  /** The view of a hydrated entity; relations give their key, absent optional values null. */
  fromEntity(entity: E): C {
    const fields: Record<string, unknown> = {};
    for (const [key, from] of Object.entries(this.source) as [string, keyof E][]) {
      const value: unknown = entity[from];
      fields[key] = Utils.isEntity(value, true) ? wrap(value, true).getPrimaryKey() : (value ?? null);
    }
    return Object.assign(new this.view(), fields);
  }

  /** The columns of row `alias` that make the view (all of it, or the given properties), under the view's property names. */
  columnsSql(em: EntityManager, alias: string, keys: Iterable<keyof V> | null = null): string {
    const { columns } = this.compile(em);
    const names = keys ? [...keys] : (Object.keys(columns) as (keyof V)[]);
    return names.map((name) => `${alias}.${columns[name]} as "${String(name)}"`).join(', ');
  }

  /** Row `alias` as the JSON of its view, or null when the row is absent (a left join that found none). */
  jsonSql(em: EntityManager, alias: string): string {
    const { columns } = this.compile(em);
    const pairs = (Object.keys(columns) as (keyof V & string)[]).map((name) => `'${name}', ${alias}.${columns[name]}`);
    return `case when ${alias}.${columns['id' as keyof V] ?? 'id'} is null then null else json_build_object(${pairs.join(', ')}) end`;
  }

  /** A view from a row of `columnsSql` or `jsonSql`: timestamps from text, only the properties it selected. */
  revive(em: EntityManager, row: Partial<Record<keyof V, unknown>>): C {
    const { dates } = this.compile(em);
    const view = Object.assign(new this.view(), row);
    for (const key of dates) {
      const value = row[key];
      if (value !== undefined && value !== null) (view as Record<keyof V, unknown>)[key] = new Date(value as string);
    }
    return view;
  }
}

/**
 * An entity's row for a hand-written statement, derived from its metadata the way the unit of work writes it:
 * every persisted column (many-to-one relations as their key, custom types such as JSON and arrays converted
 * by their MikroORM type), so a single-statement command inserts exactly what `em.persist` would.
 * `expressions` give a column SQL of its own: a string replaces the value (a value computed inside the
 * statement, no parameter bound), a function wraps the value's placeholder. An autoincrement key left
 * unset is left to the database.
 */
export function insertSelectSql<E extends object>(em: EntityManager, entity: E, expressions: Record<string, string | ((placeholder: string) => string)> = {}): { sql: string; params: unknown[] } {
  const meta: EntityMetadata<E> = em.getMetadata().get(entity.constructor as new () => E);
  const platform = em.getPlatform();
  const columns: string[] = [];
  const values: string[] = [];
  const params: unknown[] = [];
  for (const property of meta.props) {
    if (property.persist === false || property.fieldNames?.length !== 1) continue;
    if (property.kind !== ReferenceKind.SCALAR && property.kind !== ReferenceKind.MANY_TO_ONE) continue;
    let value: unknown = entity[property.name as keyof E];
    if (property.primary && property.autoincrement && value === undefined) continue;
    if (Utils.isEntity(value, true)) value = wrap(value, true).getPrimaryKey();
    const column = property.fieldNames[0];
    const type = property.customType;
    const converted = type && value !== undefined && value !== null && !(value instanceof Date) ? type.convertToDatabaseValue(value, platform, { mode: 'query' }) : value;
    // JSON and arrays go as text and are cast, so the driver neither re-encodes them nor expands an array into a list.
    const columnType = property.columnTypes?.[0] ?? '';
    const placeholder = /^(jsonb?|.*\[\])$/.test(columnType) ? `?::${columnType}` : '?';
    const expression = expressions[column];
    columns.push(column);
    if (typeof expression === 'string') {
      values.push(expression);
      continue;
    }
    values.push(expression ? expression(placeholder) : placeholder);
    params.push(converted ?? null);
  }
  return { sql: `insert into ${meta.tableName} (${columns.join(', ')}) select ${values.join(', ')}`, params };
}
