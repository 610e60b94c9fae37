/** choicelab core: seeded randomness, variates, statistics, optimisation, linear algebra, errors. */
export * from './errors';
export * from './validate';
export * from './rng';
export * from './random';
export * from './stats';
export * from './optimize';
export * from './linalg';
export * from './tensor';
export * from './format';
export * from './workers';
