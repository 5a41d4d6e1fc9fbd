/** A one-statement identity policy written with jsonencode(), for the rules' cases. */
export const allow = (action: string, resource: string) =>
  `jsonencode({\n    Version   = "2012-10-17"\n    Statement = [{ Effect = "Allow", Action = "${action}", Resource = "${resource}" }]\n  })`;
