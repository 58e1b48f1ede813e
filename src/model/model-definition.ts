/** What persistence needs to know of a model class. */
export interface ModelDefinition {
  readonly name: string;
  readonly prototype: object;
  readonly PRIMARY_KEY: string;
  readonly TIMESTAMPS: boolean;
  readonly LOCK_VERSION?: string | false | undefined;
  tablename(): string;
}
