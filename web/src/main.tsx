/** The dashboard's entry: mounts the app and routes same-app link clicks without reloading. */
import { render } from 'preact';
import { App } from './app';
import { interceptLinks } from './lib/router';
import './styles.css';
import './components.css';

const root = document.getElementById('app') as HTMLElement;
root.textContent = '';
interceptLinks(root);
render(<App />, root);
