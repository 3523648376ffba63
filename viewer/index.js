// Browser entry of the bundled viewer page served at `/` by `wkw serve`: Neuroglancer with
// every layer of the served dataset open at its centre (state from /viewer-state.json).
// The state goes into the URL fragment before the viewer is made, so Neuroglancer starts
// from it as from any shared link (and the address bar holds a link to this view).
import "neuroglancer";
import { setupDefaultViewer } from "neuroglancer/unstable/ui/default_viewer_setup.js";

if (!location.hash || location.hash === "#") {
  try {
    const response = await fetch("viewer-state.json");
    if (!response.ok) throw new Error(`viewer-state.json: HTTP ${response.status}`);
    const state = await response.json();
    // Sources are made absolute here so the same server works behind any host name or proxy.
    for (const layer of state.layers) layer.source = `precomputed://${new URL(layer.source, location.href).href}`;
    history.replaceState(null, "", `#!${encodeURIComponent(JSON.stringify(state))}`);
  } catch (err) {
    console.error(err);
    document.title = `wkw serve: ${err.message}`;
  }
}
setupDefaultViewer();
