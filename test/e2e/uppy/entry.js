// Browser bundle for the Uppy test: Uppy core + its tus plugin, as a site embedding Reel's upload would use them.
import Uppy from '@uppy/core';
import Tus from '@uppy/tus';

window.uploadWithUppy = (endpoint, token, base64, name) =>
  new Promise((resolve, reject) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const uppy = new Uppy({ autoProceed: false });
    uppy.use(Tus, { endpoint, headers: { Authorization: `Bearer ${token}` }, chunkSize: 256 * 1024, retryDelays: [0, 300, 1000, 2000] });
    uppy.addFile({ name, type: 'video/mp4', data: new Blob([bytes], { type: 'video/mp4' }), meta: { title: 'from uppy' } });
    uppy.on('error', (err) => reject(String(err?.message ?? err)));
    uppy.upload().then((result) => {
      if (result?.failed?.length) reject(String(result.failed[0].error));
      else resolve(result.successful.map((f) => f.tus?.uploadUrl ?? f.uploadURL));
    }, (err) => reject(String(err?.message ?? err)));
  });
