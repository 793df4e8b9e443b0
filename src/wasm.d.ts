// The .wasm builds are embedded as bytes (esbuild's binary loader; a small plugin in tests).
declare module '*.wasm' {
  const bytes: Uint8Array<ArrayBuffer>;
  export default bytes;
}
