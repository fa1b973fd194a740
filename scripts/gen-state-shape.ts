// `npm run gen:state-shape`: writes src/state/state-shape.generated.ts from the zod state schema.
import { writeFileSync } from 'node:fs';
import { stateShapeModule } from '../src/state/state-shape-source.js';

writeFileSync(new URL('../src/state/state-shape.generated.ts', import.meta.url), stateShapeModule());
