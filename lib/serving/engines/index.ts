// Every engine module, imported once so each registers itself. Adding an engine: its module here,
// its ServingEngine value, docs/serving.md and its tests.
import { FactTable } from '../../core/facts';
import { EngineDefinition, ServingEngine, findEngine, registeredEngines } from './engine';
import './vllm';
import './sglang';
import './llama-cpp';

export { ServingEngine } from './engine';
export { VLLM_DEFAULTS } from './vllm';
export { SGLANG_DEFAULTS } from './sglang';
export { LLAMA_CPP_DEFAULTS } from './llama-cpp';

/** The engine definition of a ServingEngine value (throws for an unregistered one: a library bug). */
export function engineDefinition(engine: ServingEngine | string): EngineDefinition {
  const def = findEngine(engine);
  if (!def) throw new Error(`serving engine "${engine}" is not registered (known: ${registeredEngines().map((e) => e.id).join(', ')})`);
  return def;
}

/** The pinned engine images, as docs/facts.md shows them. */
export function servingEngineFacts(): FactTable {
  return {
    id: 'serving-engines',
    title: 'Serving engine images',
    file: 'lib/serving/engines/',
    rows: registeredEngines().map((e) => ({ fact: `${e.displayName} image`, value: `${e.image.repository}:${e.image.tag}`, source: e.image.source, checked: e.image.checked })),
  };
}
