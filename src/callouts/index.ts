/**
 * choicelab callouts: combinatorial callout layouts — layout spaces and feature encodings, a
 * true click model with delays (world), bandit policies including MVT1/MVT2 Thompson sampling
 * with hill-climbing (policy), an empirical-Bayes meta-prior, a parallel simulator, and
 * off-policy evaluation of logged data (data, estimators).
 */
export * from './layout';
export * from './search';
export * from './world';
export * from './policy';
export * from './mvt';
export * from './metaprior';
export * from './registry';
export * from './simulate';
export * from './ope';
export * from './obd';
