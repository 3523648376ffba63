// Browser entry of the bundled viewer page served at `/` by `wkw serve`: Neuroglancer with
// every layer of the served dataset open at its centre (state from the server's /viewer-state.json).
import "neuroglancer";
import { setupDefaultViewer } from "neuroglancer/unstable/ui/default_viewer_setup.js";

const viewer = setupDefaultViewer();
if (!location.hash || location.hash === "#") {
  fetch("viewer-state.json")
    .then((response) => {
      if (!response.ok) throw new Error(`viewer-state.json: HTTP ${response.status}`);
      return response.json();
    })
    .then((state) => {
      // Sources are made absolute here so the same server works behind any host name or proxy.
      for (const layer of state.layers) layer.source = `precomputed://${new URL(layer.source, location.href).href}`;
      viewer.state.restoreState(state);
    })
    .catch((err) => {
      console.error(err);
      document.title = `wkw serve: ${err.message}`;
    });
}
