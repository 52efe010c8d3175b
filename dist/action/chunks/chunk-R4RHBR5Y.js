import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
var r=class extends Error{constructor(s,n){super(s,n),this.name="AzureLoginError"}};export{r as a};
