// Boots the app; everything else lives in the modules it starts.
import { start } from './app.js';

start(document);
