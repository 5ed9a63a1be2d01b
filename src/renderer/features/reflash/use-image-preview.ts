import { useEffect, useState } from 'react';
import type { ImagePreview } from '../../../shared/reflash/contract';
import { api } from '../../shared/api';

/** Typing pauses this long before the file is looked at: one look per path, not one per key. */
const SETTLE_MS = 250;

/**
 * What main can tell about the image file named in the field before it is checked (its size and the image size
 * its header states). Local paths only: a URL is measured when the check downloads it.
 */
export function useImagePreview(source: string | undefined): ImagePreview | undefined {
  const [preview, setPreview] = useState<{ source: string; value: ImagePreview } | undefined>();
  const local = source?.startsWith('/') ? source : undefined;
  useEffect(() => {
    if (!local) return;
    let live = true;
    const timer = setTimeout(() => {
      api()
        .reflash.previewImage({ source: local })
        .then((value) => live && setPreview({ source: local, value }))
        .catch(() => live && setPreview(undefined));
    }, SETTLE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [local]);
  return local && preview?.source === local ? preview.value : undefined;
}
