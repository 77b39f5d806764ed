/**
 * The seed of every property test in the files that import it: fixed, so a run is repeatable; set
 * VOLNO_TEST_SEED to explore others. fast-check prints the seed and the path of a failure, so the
 * counterexample can be replayed with that value.
 */
export const TEST_SEED = Number(process.env.VOLNO_TEST_SEED ?? 20_261_204);
