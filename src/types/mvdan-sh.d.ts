// Minimal typing for mvdan-sh (mvdan/sh, the shfmt parser, compiled by GopherJS).
// Only what src/dockerfile/shell.ts reads; nodes are typed loosely on purpose.
declare module "mvdan-sh" {
  export interface ShPos {
    Offset(): number;
    Line(): number;
    Col(): number;
  }
  export interface ShNode {
    Pos(): ShPos;
    End(): ShPos;
    [field: string]: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  }
  export interface ShParser {
    Parse(source: string, name: string): ShNode;
  }
  export interface ShSyntax {
    NewParser(...options: unknown[]): ShParser;
    NodeType(node: ShNode): string;
    KeepComments(keep: boolean): unknown;
    Variant(language: unknown): unknown;
    LangBash: unknown;
    LangPOSIX: unknown;
  }
  const sh: { syntax: ShSyntax };
  export default sh;
}
