// Randomness enters the application through this port only; every implementation is seeded.

export interface Rng {
  /** Uniform in [0, 1). */
  nextFloat(): number;
}
