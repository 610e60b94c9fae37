/**
 * choicelab membership dynamics: a finite-state dynamic discrete-choice engine (state spaces,
 * Bellman solver with Newton–Kantorovich steps, simulation, panels from data), the membership
 * world (none / monthly / annual plans) and Rust's bus-engine model, the NFXP and CCP/NPL
 * estimators, and counterfactuals checked against the world's truth.
 */
export * from './ddc/model';
export * from './ddc/solve';
export * from './ddc/simulate';
export * from './ddc/panel';
export { resolventDefaults, type LinearSolverKind } from './ddc/resolvent';
export * from './estimate/result';
export * from './estimate/nfxp';
export * from './estimate/ccp';
export * from './bus';
export * from './world';
export * from './counterfactual';
export * from './study';
