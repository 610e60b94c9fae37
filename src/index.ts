/**
 * choicelab — a notebook and simulation lab for customer-choice science.
 *
 * `import * as cl from 'choicelab'` gives one namespace per module: `cl.core` (seeded
 * randomness, variates, statistics, optimisation, linear algebra, errors, TensorFlow.js
 * backend), `cl.notebook` (charts, tables, progress bars and report text), and one namespace
 * per domain: `cl.membership` (dynamic discrete choice: worlds, NFXP/CCP, counterfactuals),
 * `cl.forest` (regression, quantile and causal forests), `cl.callouts` (layout bandits, OPE),
 * `cl.pricing` (pricing experiments: world, designs, DID/HPTE/exposure estimators, design
 * comparison), `cl.forecast` (quantile demand forecasts: seasonal naive, quantile forest, MQ-CNN;
 * backtests) and `cl.irl` (inverse RL: exact tabular PQR and Deep PQR with an anchor action).
 */
export * as core from './core';
export * as callouts from './callouts';
export * as notebook from './notebook';
export * as forest from './forest';
export * as membership from './membership';
export * as pricing from './pricing';
export * as forecast from './forecast';
export * as irl from './irl';

/** The installed choicelab version. */
export const version: string = (require('../package.json') as { version: string }).version;
