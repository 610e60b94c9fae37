/**
 * The pricing module's HPTE forecaster slot: any model here as an `UntreatedForecaster`.
 */
import type { ForecastRequest, UntreatedForecaster } from '../pricing/forecaster';
import { InputError, invalidOption } from '../core/errors';
import { checkKnownKeys, checkOneOf, checkPositiveInteger } from '../core/validate';
import { forecastDataset } from './dataset';
import type { ForecastModel } from './models/common';
import { quantileForestModel, type QuantileForestModelOptions } from './models/forestModel';
import { mqcnn, type MqCnnOptions } from './models/mqcnn';
import { seasonalNaive } from './models/seasonalNaive';

/** The model kinds the adapter builds. */
export type ForecasterKind = 'seasonal-naive' | 'quantile-forest' | 'mq-cnn';

/** Options of {@link untreatedForecaster}: the model's options (horizon, levels and seed come from the request) and the season length. */
export interface UntreatedForecasterOptions {
  /** Season length of the request's daily histories (default 7: a weekly cycle). */
  period?: number;
  /** Options of the quantile forest (kind 'quantile-forest'). */
  forest?: Omit<QuantileForestModelOptions, 'horizon' | 'levels' | 'seed'>;
  /** Options of MQ-CNN (kind 'mq-cnn'). */
  mqcnn?: Omit<MqCnnOptions, 'horizon' | 'levels' | 'seed'>;
}

function build(kind: ForecasterKind, horizon: number, seed: number, o: UntreatedForecasterOptions): ForecastModel {
  const levels = [0.1, 0.5, 0.9];
  if (kind === 'seasonal-naive') return seasonalNaive({ horizon, levels });
  if (kind === 'quantile-forest') return quantileForestModel({ ...(o.forest ?? {}), horizon, levels, seed });
  return mqcnn({ ...(o.mqcnn ?? {}), horizon, levels, seed });
}

/**
 * An HPTE forecaster slot filled by a model of this module: it fits the model on the request's
 * histories (series-major, with the request's covariates as known-future covariates) and returns
 * the median forecast over the horizon, series-major.
 */
export function untreatedForecaster(kind: ForecasterKind, options: UntreatedForecasterOptions = {}): UntreatedForecaster {
  checkOneOf('kind', kind, ['seasonal-naive', 'quantile-forest', 'mq-cnn'] as const);
  checkKnownKeys('options', options, ['period', 'forest', 'mqcnn']);
  const period = checkPositiveInteger('period', options.period ?? 7);
  const names: Record<ForecasterKind, string> = { 'seasonal-naive': 'seasonal naive', 'quantile-forest': 'quantile forest', 'mq-cnn': 'MQ-CNN' };
  return {
    name: names[kind],
    async forecast(req: ForecastRequest): Promise<Float64Array> {
      if (!req || typeof req !== 'object') throw invalidOption('request', 'a ForecastRequest', req);
      const n = checkPositiveInteger('request.series', req.series);
      const T = checkPositiveInteger('request.historyLength', req.historyLength);
      const H = checkPositiveInteger('request.horizon', req.horizon);
      if (!(req.history instanceof Float64Array) || req.history.length !== n * T) {
        throw invalidOption('request.history', `a Float64Array of series × historyLength = ${n * T}`, req.history);
      }
      const target = Array.from({ length: n }, (_, i) => req.history.subarray(i * T, (i + 1) * T));
      const covariates: Record<string, Float64Array[]> = {};
      for (const [name, c] of Object.entries(req.covariates ?? {})) {
        if (!(c instanceof Float64Array) || c.length !== n * (T + H)) {
          throw new InputError(`invalid option \`request.covariates.${name}\`: expected a Float64Array of series × (historyLength + horizon) = ${n * (T + H)}, got length ${c?.length}`);
        }
        covariates[name] = Array.from({ length: n }, (_, i) => c.subarray(i * (T + H), (i + 1) * (T + H)));
      }
      const data = forecastDataset({ target, start: req.startDay, period, covariates, ids: Array.from({ length: n }, (_, i) => `series ${i}`) });
      const model = build(kind, H, req.seed, options);
      const fitted = await model.fit(data);
      const fc = fitted.predict(data);
      const out = new Float64Array(n * H);
      for (let i = 0; i < n; i++) out.set(fc[i].quantile(0.5), i * H);
      if ('dispose' in fitted && typeof (fitted as { dispose?: () => void }).dispose === 'function') (fitted as { dispose: () => void }).dispose();
      return out;
    },
  };
}
