import { provideRelationHooks } from '../model/relation-hooks.js';
import { installRelations } from './accessors.js';
import { checkInclude, preload } from './eager-loading.js';

provideRelationHooks({ install: installRelations, checkInclude, preload });
