/** Whether a suite that needs more than the README's set-up runs, and why not. */
export interface Switch {
  /** The suite's `skip`: false when it runs, else a reason naming what to set or install. */
  readonly skip: string | false;
  /** Why it cannot run here although switched on, or null: the suite fails with it (TWISTAR_REQUIRE_ALL_BACKENDS=1). */
  readonly unavailable: string | null;
}

/**
 * Switches on a suite that needs more than the README's set-up (servers it starts itself, the right to restart
 * the shared ones) when `variable` is 1, as .ci/run sets it; otherwise its skip says to set `variable` to `what`.
 * Switched on where `unavailable()` gives a reason, it is skipped for that reason, unless
 * TWISTAR_REQUIRE_ALL_BACKENDS=1 makes that a failure.
 */
export function switchedOn(
  variable: string,
  what: string,
  unavailable: () => string | null = () => null,
): Switch {
  if (process.env[variable] !== '1') return { skip: `set ${variable}=1 to ${what}`, unavailable: null };
  const reason = unavailable();
  if (reason === null) return { skip: false, unavailable: null };
  return process.env.TWISTAR_REQUIRE_ALL_BACKENDS === '1'
    ? { skip: false, unavailable: reason }
    : { skip: `${variable}=1, but ${reason}`, unavailable: null };
}
