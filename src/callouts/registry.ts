/**
 * Policies by name, so that a simulation can be described in JSON and rebuilt inside worker
 * threads (functions cannot cross threads; a spec can).
 */
import { invalidOption } from '../core/errors';
import { checkOneOf } from '../core/validate';
import type { LayoutSpace } from './layout';
import { mvtThompson } from './mvt';
import {
  componentThompson,
  epsilonGreedy,
  layoutThompson,
  tablePolicy,
  uniformPolicy,
  type Policy,
  type PolicyOptions,
  type TablePolicyOptions,
} from './policy';

/** The policy kinds a {@link PolicySpec} can name. */
export const policyKinds = ['uniform', 'epsilon-greedy', 'layout-thompson', 'component-thompson', 'mvt1', 'mvt2', 'table'] as const;
/** A policy kind. */
export type PolicyKind = (typeof policyKinds)[number];

/** A JSON description of a policy: its kind, a display name and the factory's options. */
export interface PolicySpec {
  /** Which factory: uniform, epsilon-greedy, layout-thompson (N^D-MAB), component-thompson (D-MABs), mvt1, mvt2, table. */
  kind: PolicyKind;
  /** Display name (default the factory's). */
  name?: string;
  /** Options of the factory (JSON-serialisable; `seed`/`rng` are set by the simulator). */
  options?: Record<string, unknown>;
}

/** Builds a policy from a {@link PolicySpec}; `extra` options (rng, contexts, delay) fill in what the spec leaves out. */
export function makePolicy(space: LayoutSpace, spec: PolicySpec, extra: PolicyOptions = {}): Policy {
  if (spec === null || typeof spec !== 'object') throw invalidOption('policy', 'a { kind, name, options } spec', spec);
  const kind = checkOneOf('policy.kind', spec.kind, policyKinds);
  const opts: Record<string, unknown> = { ...(spec.options ?? {}) };
  for (const [k, v] of Object.entries(extra)) if (opts[k] === undefined && v !== undefined) opts[k] = v;
  if (spec.name !== undefined) opts.name = spec.name;
  if (opts.rng !== undefined) delete opts.seed;
  switch (kind) {
    case 'uniform':
      return uniformPolicy(space, opts as PolicyOptions);
    case 'epsilon-greedy':
      return epsilonGreedy(space, opts);
    case 'layout-thompson':
      return layoutThompson(space, opts);
    case 'component-thompson':
      return componentThompson(space, opts);
    case 'mvt1':
      return mvtThompson(space, { ...opts, interactions: 'none' });
    case 'mvt2':
      return mvtThompson(space, { ...opts, interactions: 'pairwise' });
    case 'table': {
      const o = opts as unknown as TablePolicyOptions;
      if (typeof o.contexts !== 'number' && o.contexts !== undefined) delete (o as PolicyOptions).contexts;
      delete (o as PolicyOptions).delay;
      return tablePolicy(space, o);
    }
  }
}
