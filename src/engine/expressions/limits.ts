/**
 * Every limit an expression runs under, in one place. Expressions are written by
 * workflow authors but evaluated on the hot path of every webhook request, so
 * a hostile or careless one must fail with an `ExpressionError` instead of
 * hanging the process or eating its memory.
 */
export const expressionLimits = {
  /**
   * Work units per `evaluate(scope)` call (shared by every template of one
   * compiled value). One unit is one evaluated operator, member access, call
   * or callback invocation; built-in methods also pay for the data they touch
   * (one unit per array element, one per 16 string characters). Measured on
   * the development machine (Node 20, warm): exhausting the budget takes
   * 15–30 ms of pure computation and up to ~100 ms when every step allocates
   * (mapping 400k items to new objects), while `{{ $context.data.x === 'y' }}`
   * evaluates in under 0.1 µs. Sized for data-heavy but sane mappings (a
   * 10k-item array through a 20-node callback is 200k steps).
   */
  maxSteps: 1_000_000,
  /** Longest string an expression may produce (UTF-16 code units). */
  maxStringLength: 16 * 1024 * 1024,
  /** Longest array an expression may produce. */
  maxArrayLength: 1_000_000,
  /** Longest expression source between `{{` and `}}`. */
  maxSourceLength: 20_000,
  /** Deepest bracket nesting `( [ {` in the source, checked before parsing. */
  maxNesting: 64,
  /** Deepest syntax tree (operator chains count too: `a + b + c` is 2 deep). */
  maxAstDepth: 200,
  /** Deepest data walked by JSON conversion, `join` and `flat`. */
  maxDataDepth: 1_000,
} as const;

/** Strings pay one step per this many characters they touch. */
export const STRING_CHARS_PER_STEP = 16;

/**
 * Extra steps for built-ins that cost far more than one step (one step is
 * 15–30 ns). Measured per call on Node 20; without these, a map over 200k
 * items calling `toLocaleString` ran for 10 s inside the budget.
 */
export const builtinCosts = {
  /** `toLocaleString` and friends build an Intl formatter per call: 25–60 µs. */
  intlFormat: 2_000,
  /** `$formatDate` in a zone other than UTC (Intl formatToParts): about 8 µs. */
  zonedDate: 300,
  /** `localeCompare` goes through ICU collation: about 0.5 µs. */
  localeCompare: 20,
  /** Parsing or printing a date (`$date`, `toISOString`, `$formatDate`): about 1 µs. */
  date: 40,
} as const;
