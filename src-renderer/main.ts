// Renderer entry: global styles, then the app shell. Nothing here (or anywhere in src-renderer) imports Node.
import './app.css';
import 'uplot/dist/uPlot.min.css';
import { mount } from 'svelte';
import App from './App.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('#app element missing from index.html');
export default mount(App, { target });
