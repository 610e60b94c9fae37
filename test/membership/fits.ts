/**
 * Shared, memoised fits for the membership tests (one mocha process runs every file, so each
 * dataset is simulated and estimated once). Seeds and sizes are stated here: the default
 * scenario, 5,000 customers × 36 months, datasets simulated with seeds 101 and 102.
 */
import { ccp, type CcpResult } from '../../src/membership/estimate/ccp';
import { nfxp, type NfxpResult } from '../../src/membership/estimate/nfxp';
import type { Panel } from '../../src/membership/ddc/panel';
import { firstStage, firstStageCorrection, membershipWorld, type FirstStage, type MembershipWorld } from '../../src/membership/world';

/** Seeds of the recovery datasets. */
export const recoverySeeds = [101, 102];

let world: MembershipWorld | undefined;
/** The default-scenario world (solved once). */
export function defaultWorld(): MembershipWorld {
  return (world ??= membershipWorld('membership-default'));
}

/** One dataset with its fits; SEs of `*Corrected` include first-stage transition noise. */
export interface Fits {
  panel: Panel;
  first: FirstStage;
  ccp: CcpResult;
  npl: CcpResult;
  nfxp: NfxpResult;
  ccpCorrected: CcpResult;
  nplCorrected: CcpResult;
  nfxpCorrected: NfxpResult;
}

const cache = new Map<number, Fits>();
/** Simulates 5,000 × 36 at `seed` and fits CCP (two-step), NPL (converged) and NFXP (from the CCP estimate). */
export function fitsAt(seed: number): Fits {
  let f = cache.get(seed);
  if (!f) {
    const w = defaultWorld();
    const panel = w.simulate({ customers: 5000, months: 36, seed });
    const first = firstStage(w.config, panel);
    const c = ccp(first.model, panel);
    const n = ccp(first.model, panel, { nplIterations: 50 });
    const x = nfxp(first.model, panel, { start: c.estimates });
    const [cc, nc, xc] = firstStageCorrection(first, panel, [c, n, x]);
    const fits: Fits = { panel, first, ccp: c, npl: n, nfxp: x, ccpCorrected: cc, nplCorrected: nc, nfxpCorrected: xc };
    cache.set(seed, fits);
    return fits;
  }
  return f;
}
