/**
 * @cdktf/hcl2json starts its Go WebAssembly runtime as soon as it is imported (inflating and
 * instantiating the module costs about 150 ms of CPU per thread). It is loaded on first use instead,
 * so commands and scan worker threads that read no Terraform never start it.
 */
type Hcl2Json = typeof import('@cdktf/hcl2json');

let loading: Promise<Hcl2Json> | undefined;

/** hcl2json's parse: the file's blocks as JSON, as @cdktf/hcl2json returns them. */
export async function hclToJson(filename: string, text: string): Promise<Record<string, any>> {
  loading ??= import('@cdktf/hcl2json');
  return (await loading).parse(filename, text);
}
