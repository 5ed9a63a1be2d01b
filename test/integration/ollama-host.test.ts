import { describe, expect, it } from 'vitest';
import { parseOllamaHost } from '../../src/main/core/models/ollama/host';
import { ollamaModelsDir } from '../../src/main/core/models/ollama/models-dir';

// OLLAMA_HOST and OLLAMA_MODELS as Ollama's own envconfig reads them (envconfig/config.go, v0.33.0-rc2): the
// expected values are what Host() and Models() return for each input there.

describe('OLLAMA_HOST', () => {
  it.each([
    [undefined, 'http://127.0.0.1:11434'],
    ['', 'http://127.0.0.1:11434'],
    ['1.2.3.4', 'http://1.2.3.4:11434'],
    [':1234', 'http://127.0.0.1:1234'],
    ['0.0.0.0:11435', 'http://0.0.0.0:11435'],
    ['  "example.com:8080"  ', 'http://example.com:8080'],
    ['http://example.com', 'http://example.com:80'],
    ['https://example.com', 'https://example.com:443'],
    ['https://example.com/ollama', 'https://example.com:443/ollama'],
    ['[::1]:9999', 'http://[::1]:9999'],
    ['[::1]', 'http://[::1]:11434'],
    ['example.com:99999', 'http://example.com:11434'],
    ['ollama.com', 'https://ollama.com:443'],
  ])('%j -> %s', (value, url) => {
    expect(parseOllamaHost(value)).toBe(url);
  });
});

describe('OLLAMA_MODELS', () => {
  it('is the store when set (quotes trimmed), else ~/.ollama/models', () => {
    expect(ollamaModelsDir({ OLLAMA_MODELS: "'/srv/ollama'" }, '/home/u')).toBe('/srv/ollama');
    expect(ollamaModelsDir({}, '/home/u')).toBe('/home/u/.ollama/models');
  });
});
